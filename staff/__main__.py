"""`make staff`: serves the console on 127.0.0.1:8081 (STAFF_PORT) until Ctrl-C.

It listens on loopback only: clinic staff reach it on this machine, or through the clinic's
VPN or single-sign-on proxy (docs/DEPLOY.md, "The staff console"), never on the patients' site.
"""

from __future__ import annotations

import argparse
import sys

from staff.settings import Settings, SettingsError


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m staff", description="The staff console.")
    parser.add_argument("--with-assistant", action="store_true",
                        help="started by scripts/serve: serve the model to Rasa even before any staff account exists")
    args = parser.parse_args()
    try:
        settings = Settings.from_environment()
    except SettingsError as error:
        print(f"staff console: {error}", file=sys.stderr)
        return 2
    import uvicorn

    from staff.app import create_app

    app = create_app(settings)
    if not app.state.console.accounts.all() and not args.with_assistant:
        print("No staff accounts yet: create one first with\n"
              "    make staff-user NAME=yourname ROLE=clinician   (or ROLE=editor)", file=sys.stderr)
        return 1
    print(f"Staff console: http://{settings.host}:{settings.port}/  (this machine only; Ctrl-C stops it)", flush=True)
    # h11 and no websockets: the console needs neither httptools nor the websockets protocol
    # (Rasa pins websockets 10.4, older than uvicorn's websockets support expects).
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", server_header=False,
                proxy_headers=False, access_log=False, http="h11", ws="none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
