"""`make staff`: serves the console on 127.0.0.1:8081 (STAFF_PORT) until Ctrl-C.

It listens on loopback only: clinic staff reach it on this machine, or through the clinic's
VPN or single-sign-on proxy (docs/DEPLOY.md, "The staff console"), never on the patients' site.
"""

from __future__ import annotations

import sys

from staff.settings import Settings, SettingsError


def main() -> int:
    try:
        settings = Settings.from_environment()
    except SettingsError as error:
        print(f"staff console: {error}", file=sys.stderr)
        return 2
    import uvicorn

    from staff.app import create_app

    app = create_app(settings)
    if not app.state.console.accounts.all():
        print("No staff accounts yet: create one first with\n"
              "    make staff-user NAME=yourname ROLE=clinician   (or ROLE=editor)", file=sys.stderr)
        return 1
    print(f"Staff console: http://{settings.host}:{settings.port}/  (this machine only; Ctrl-C stops it)", flush=True)
    # ws="none": the console has no websockets, and uvicorn 0.54's websockets support needs a newer
    # websockets than the 10.4 Rasa 3.6 pins (its import fails, and the console would not start)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", server_header=False,
                proxy_headers=False, access_log=False, ws="none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
