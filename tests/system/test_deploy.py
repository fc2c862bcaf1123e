"""The deployment files of the scale-out profile (docs/DEPLOY.md).

No container engine runs here, so: docker-compose.yml is rendered by docker-compose itself
(`config` needs no engine) and checked; the Dockerfiles are checked against
requirements.lock, config.yml and their build context (.dockerignore); and docker/nginx.conf
is checked by nginx and then run, with only its addresses adapted, in front of the real
assistant: the demo page, REST, and a socket.io conversation over a websocket through it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import aiohttp
import pytest
import requests
import yaml

from support.processes import free_port, stop, wait_until_up
from support.project import BIN, ROOT, load_yaml

DOCKER = ROOT / "docker"
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
# Placeholder secrets: compose renders nothing without them.
SECRETS = {"DB_PASSWORD": "placeholder-db-password", "REDIS_PASSWORD": "placeholder-redis-password"}
RASA_SERVICES = ("rasa-1", "rasa-2")


# ----------------------------------------------------------------------------------------
# docker-compose.yml, as docker-compose renders it.
# ----------------------------------------------------------------------------------------

def compose_config(workdir: Path, env: Dict[str, str]) -> subprocess.CompletedProcess:
    """`docker-compose config` with exactly these variables (no .env, nothing from the shell)."""
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail("docker-compose is not installed: run `make compose-tool` (Debian's docker-compose package).")
    env_file = workdir / "compose.env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in env.items()))
    used = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    clean = {name: value for name, value in os.environ.items() if name not in used}
    return subprocess.run(
        [exe, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, dict]:
    rendered = compose_config(tmp_path_factory.mktemp("compose"), SECRETS)
    assert rendered.returncode == 0, rendered.stderr
    return yaml.safe_load(rendered.stdout)["services"]


def command_of(service: dict) -> List[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def instructions(dockerfile: Path, *keywords: str) -> List[str]:
    """The Dockerfile's instructions of these kinds, continuation lines joined, comments left out."""
    lines = [line for line in dockerfile.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [line for line in joined.splitlines() if line.split(" ", 1)[0] in keywords]


def test_two_rasa_replicas_on_postgres_and_redis_behind_nginx(services):
    assert set(RASA_SERVICES) | {"actions", "postgres", "redis", "nginx"} <= set(services)
    for name in RASA_SERVICES:
        rasa = services[name]
        assert rasa["build"]["dockerfile"] == "docker/rasa.Dockerfile"
        command = command_of(rasa)
        assert command[0] == "run"
        assert command[command.index("--endpoints") + 1] == "endpoints.scale.yml"
        assert command[command.index("--credentials") + 1] == "credentials.yml"
        env = rasa["environment"]
        # Hosts are the compose services; the password is the one PostgreSQL gets.
        assert env["ACTION_ENDPOINT_URL"] == "http://actions:5055/webhook"
        assert (env["DB_HOST"], env["REDIS_HOST"]) == ("postgres", "redis")
        assert env["DB_PASSWORD"] == services["postgres"]["environment"]["POSTGRES_PASSWORD"] == SECRETS["DB_PASSWORD"]
        redis_command = command_of(services["redis"])
        assert env["REDIS_PASSWORD"] == redis_command[redis_command.index("--requirepass") + 1] == SECRETS["REDIS_PASSWORD"]
        assert env["DB_NAME"] == services["postgres"]["environment"]["POSTGRES_DB"]
        assert env["DB_USER"] == services["postgres"]["environment"]["POSTGRES_USER"]
        assert env["LOCK_KEY_PREFIX"].isalnum(), "Rasa ignores a non-alphanumeric lock key prefix"
        assert rasa["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert rasa["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["actions"]["build"]["dockerfile"] == "docker/actions.Dockerfile"
    for name in ("rasa-1", "rasa-2", "actions", "postgres", "redis"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert "ports" not in services[name], f"{name} must be reachable through nginx only"
    assert [v.split(":")[1] for v in services["postgres"]["volumes"]] == ["/var/lib/postgresql/data"]
    assert [p["target"] for p in services["nginx"]["ports"]] == [8080]


def test_every_variable_of_endpoints_scale_yml_is_set_for_rasa(services):
    values = re.sub(r"#.*", "", (ROOT / "endpoints.scale.yml").read_text())
    needed = set(re.findall(r"\$\{(\w+)\}", values))
    assert {"DB_HOST", "DB_PASSWORD", "REDIS_HOST", "LOCK_KEY_PREFIX"} <= needed
    for name in RASA_SERVICES:
        missing = needed - set(services[name]["environment"])
        assert not missing, f"{name}: Rasa refuses to start without {sorted(missing)}"


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_compose_refuses_to_render_without_a_password(tmp_path, secret):
    rendered = compose_config(tmp_path, {name: value for name, value in SECRETS.items() if name != secret})
    assert rendered.returncode != 0
    assert f"set {secret} in the environment" in rendered.stderr


def test_env_example_has_every_secret_and_only_placeholders(tmp_path):
    lines = [line for line in (ROOT / ".env.example").read_text().splitlines() if line.strip() and not line.startswith("#")]
    example = dict(line.split("=", 1) for line in lines)
    assert set(SECRETS) <= set(example) and all(example[s].startswith("change-me") for s in SECRETS)
    rendered = compose_config(tmp_path, example)  # as `cp .env.example .env` would give
    assert rendered.returncode == 0, rendered.stderr
    assert ".env" in (ROOT / ".gitignore").read_text().split(), "a real .env must never be committed"


def test_telemetry_is_off_in_every_service_and_image(services):
    for name, service in services.items():
        assert service.get("environment", {}).get("RASA_TELEMETRY_ENABLED") == "false", name
    assert {f.name for f in DOCKERFILES} >= {"rasa.Dockerfile", "actions.Dockerfile", "nginx.Dockerfile"}
    for dockerfile in DOCKERFILES:
        assert re.search(r"^ENV RASA_TELEMETRY_ENABLED=false\b", dockerfile.read_text(), re.M), dockerfile.name


def test_the_http_api_stays_off_or_needs_a_token_from_the_environment(services):
    for name in RASA_SERVICES:
        assert "--enable-api" not in command_of(services[name])
    for dockerfile in DOCKERFILES:
        assert "--enable-api" not in "".join(instructions(dockerfile, "CMD", "ENTRYPOINT")), dockerfile.name
    # The rule for any service that ever enables it (a staff profile): a token or JWT secret
    # that compose takes from the environment and refuses to run without.
    for name, service in yaml.safe_load(COMPOSE_FILE.read_text())["services"].items():
        command = command_of(service)
        if "--enable-api" in command:
            secrets = [command[i + 1] for i, arg in enumerate(command) if arg in ("--auth-token", "--jwt-secret")]
            assert secrets and all(re.fullmatch(r"\$\{\w+:\?[^}]*\}", s) for s in secrets), name


# ----------------------------------------------------------------------------------------
# The Dockerfiles and their build context.
# ----------------------------------------------------------------------------------------

def locked_versions() -> Dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_images_are_pinned_to_the_tested_versions(services):
    locked = locked_versions()
    bases = {f.name: [line.split()[1] for line in instructions(f, "FROM")] for f in DOCKERFILES}
    assert bases["rasa.Dockerfile"] == [f"rasa/rasa:{locked['rasa']}"]
    assert bases["actions.Dockerfile"] == [f"rasa/rasa-sdk:{locked['rasa-sdk']}"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+", bases["nginx.Dockerfile"][0])
    for name in ("postgres", "redis"):
        assert re.fullmatch(rf"{name}:\d+\.\d+(\.\d+)?", services[name]["image"]), services[name]["image"]
    # What the images add on top: exactly the versions requirements.lock pins.
    installs = [run for f in DOCKERFILES for run in instructions(f, "RUN") if "pip install" in run]
    added = [pin for run in installs for pin in re.findall(r"\b([A-Za-z][\w.-]*)==([^\s&;]+)", run)]
    assert {name.lower() for name, _ in added} >= {"spacy", "spacy-lookups-data", "python-socketio", "pyyaml"}
    for name, version in added:
        assert locked.get(name.lower().replace("_", "-")) == version, f"{name}=={version} is not in requirements.lock"


def test_the_rasa_image_has_what_the_model_loads(services):
    dockerfile = DOCKER / "rasa.Dockerfile"
    # The spaCy pipeline where config.yml's SpacyNLP looks for it, relative to WORKDIR /app.
    spacy_nlp = next(c for c in load_yaml("config.yml")["pipeline"] if c["name"] == "SpacyNLP")
    build = f"python -m footdrop.language {spacy_nlp['model']}"
    assert any(build in run for run in instructions(dockerfile, "RUN")), build
    assert instructions(dockerfile, "WORKDIR") == ["WORKDIR /app"]
    command = command_of(services["rasa-1"])
    copied = " ".join(instructions(dockerfile, "COPY"))
    for needed in ("footdrop_rasa/", "footdrop/", command[command.index("--model") + 1],
                   command[command.index("--endpoints") + 1], command[command.index("--credentials") + 1]):
        assert needed in copied, f"rasa.Dockerfile does not copy {needed}"
    # The action server's code is the actions image's, not Rasa's (docs/ARCHITECTURE.md).
    assert not re.search(r"(^|\s)actions/", copied), "rasa.Dockerfile copies actions/"
    # The project's own classes that config.yml, credentials.yml and endpoints.scale.yml name
    # (module.Class).
    config = load_yaml("config.yml")
    custom = [c["name"] for c in config["pipeline"] + config["policies"] if "." in c["name"]]
    custom += [name for name in load_yaml("credentials.yml") if "." in name]
    custom += [store["type"] for store in load_yaml("endpoints.scale.yml").values()
               if isinstance(store, dict) and "." in str(store.get("type", ""))]
    for name in custom:
        top = name.split(".")[0]
        assert re.search(rf"(^|\s){top}(/|\.py)\s", copied), f"rasa.Dockerfile does not copy {top} (for {name})"


def test_the_actions_image_has_the_actions_and_the_core_and_no_rasa_plug_ins():
    copied = " ".join(instructions(DOCKER / "actions.Dockerfile", "COPY"))
    for needed in ("actions/", "footdrop/", "content/", "clinic.yml"):
        assert re.search(rf"(^|\s){re.escape(needed)}", copied), f"actions.Dockerfile does not copy {needed}"
    # The rasa-sdk image has no Rasa: the plug-ins could not even be imported there.
    assert "footdrop_rasa" not in copied


def test_the_rasa_entrypoint_refuses_to_run_while_the_stores_do_not_answer(services):
    """Rasa 3.6 would serve with conversations in memory only: the image's entrypoint stops first."""
    closed_ports = {"DB_PORT": str(free_port()), "REDIS_PORT": str(free_port())}  # nobody listens
    env = {**os.environ, **closed_ports, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook", "DB_HOST": "127.0.0.1", "DB_NAME": "footdrop",
           "DB_USER": "footdrop", "DB_PASSWORD": "x", "REDIS_HOST": "127.0.0.1", "REDIS_DB": "1",
           "REDIS_PASSWORD": "", "LOCK_KEY_PREFIX": "footdrop"}
    command = command_of(services["rasa-1"])
    entrypoint = instructions(DOCKER / "rasa.Dockerfile", "ENTRYPOINT")
    assert entrypoint == ['ENTRYPOINT ["/bin/sh", "/usr/local/bin/rasa-entrypoint"]']
    started = subprocess.run(["/bin/sh", str(DOCKER / "rasa-entrypoint.sh"), *command],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    # footdrop_rasa/channels/preflight.py's verdict on the file the command names, one line per store.
    assert started.returncode == 1, started.stderr[-2000:]
    verdicts = [line for line in started.stderr.splitlines() if line.startswith("Cannot start: endpoints.scale.yml")]
    assert verdicts, started.stderr[-2000:]


def dockerignore_rules() -> List[Tuple[bool, "re.Pattern[str]"]]:
    """.dockerignore as (is_exception, regex) pairs, with Docker's wildcards."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        for token in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
        rules.append((exception, re.compile(regex)))
    return rules


def ignored(path: str, rules) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for exception, regex in rules:
        if any(regex.fullmatch(p) for p in prefixes):
            result = not exception
    return result


def test_the_build_context_has_what_the_dockerfiles_copy_and_no_secrets():
    rules = dockerignore_rules()
    for dockerfile in DOCKERFILES:
        for line in instructions(dockerfile, "COPY"):
            if "--from=" in line:
                continue
            for source in [a for a in line.split()[1:-1] if not a.startswith("--")]:
                path = ROOT / source
                assert path.exists(), f"{dockerfile.name}: {source} is missing (`make install` and `make train` make it)"
                files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
                shipped = [f for f in files if not ignored(f.relative_to(ROOT).as_posix(), rules)]
                assert shipped == files, f"{dockerfile.name} copies {source}, but .dockerignore leaves out part of it"
    for secret in (".env", "var/tracker.db", ".venv/bin/python", ".git/config", "tests/conftest.py",
                   "models/old.tar.gz", "actions/__pycache__/answers.cpython-310.pyc"):
        assert ignored(secret, rules), f"{secret} must stay out of the build context"


# ----------------------------------------------------------------------------------------
# docker/helm-values.yaml: the official Rasa Helm chart, its unsafe defaults overridden.
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def helm_values() -> dict:
    return load_yaml("docker/helm-values.yaml")


def test_the_helm_values_override_the_charts_unsafe_defaults(helm_values, services):
    settings = helm_values["applicationSettings"]
    assert settings["enableAPI"] is False and settings["cors"] != "*"
    assert settings["telemetry"]["enabled"] is False  # the chart's env var wins over the image's
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False
    assert "token" not in settings, "the token is set at install time (--set-string), never in a file"
    assert helm_values["nginx"]["enabled"] is False
    assert not helm_values["image"]["repository"].startswith("rasa/"), "the project's image, not Rasa's"
    args = [str(a) for a in helm_values["args"]]
    assert not {"--enable-api", "--cors", "--auth-token", "--jwt-secret"} & set(args)
    compose_command = command_of(services["rasa-1"])
    assert args[:3] == compose_command[:3] == ["run", "--model", "models/footdrop.tar.gz"]
    assert args[args.index("--endpoints") + 1] == "/app/endpoints.yml"  # where the chart mounts it
    assert args[args.index("--credentials") + 1] == "/app/credentials.yml"

    def passwords(node, path=""):
        """Values of keys that hold a password (not those naming a Secret or its key)."""
        for key, value in node.items():
            if isinstance(value, dict):
                yield from passwords(value, f"{path}.{key}")
            elif "password" in key.lower() and "secret" not in key.lower() and not key.endswith("Key"):
                yield f"{path}.{key}", value

    for path, value in passwords(helm_values):
        assert value in ("", "${DB_PASSWORD}", "${REDIS_PASSWORD}"), f"{path}: passwords come from Secrets"


def test_the_helm_ingress_publishes_what_nginx_does_with_the_same_limits(helm_values):
    """The chart's Ingress (RasaHQ/helm-charts charts/rasa/templates/ingress.yaml, 1.17.8: the
    main `path` plus `extraPaths` as they are) publishes only the widget's channel and the REST
    webhook, to the chart's Service, with docker/nginx.conf's abuse limits."""
    ingress = helm_values["ingress"]
    assert (ingress["path"], ingress["pathType"]) == ("/socket.io/", "Prefix")
    [rest] = ingress["extraPaths"]
    assert (rest["path"], rest["pathType"]) == ("/webhooks/rest/webhook", "Exact")
    assert rest["backend"] == {"service": {"name": "footdrop-rasa", "port": {"name": "http"}}}
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text()
    assert "helm install footdrop-rasa rasa/rasa" in deploy, "the release name the Service is named after"
    conf = (DOCKER / "nginx.conf").read_text()
    rate = int(re.search(r"zone=chat_messages:\S+ rate=(\d+)r/s;", conf).group(1))
    burst = int(re.search(r"limit_req zone=chat_messages burst=(\d+)", conf).group(1))
    annotations = {k.rsplit("/", 1)[1]: v for k, v in ingress["annotations"].items()}
    assert int(annotations["limit-rps"]) == rate
    assert int(annotations["limit-rps"]) * int(annotations["limit-burst-multiplier"]) == burst
    assert annotations["limit-connections"] == re.search(r"limit_conn open_connections (\d+);", conf).group(1)
    assert annotations["proxy-body-size"] == re.search(r"client_max_body_size (\S+);", conf).group(1)


def test_the_helm_values_carry_the_projects_channels_and_stores(helm_values):
    settings = helm_values["applicationSettings"]
    channels = settings["credentials"]["additionalChannelCredentials"]
    project = load_yaml("credentials.yml")
    assert set(channels) == set(project)
    for name, config in project.items():
        mine = dict(channels[name] or {})
        origins = mine.pop("allowed_origins", None)
        assert mine == {k: v for k, v in (config or {}).items() if k != "allowed_origins"}, name
        if "allowed_origins" in (config or {}):
            assert origins and all(o.startswith("https://") for o in origins), "clinic origins, over https"
    scale = load_yaml("endpoints.scale.yml")
    for chart_key, ours in (("trackerStore", "tracker_store"), ("lockStore", "lock_store")):
        store = settings["endpoints"][chart_key]
        assert store["enabled"] is True
        assert set(scale[ours]) <= set(store), f"{chart_key} lacks {set(scale[ours]) - set(store)}"
        assert store["type"].lower() == scale[ours]["type"].lower()
    assert settings["endpoints"]["trackerStore"]["dialect"] == "postgresql"
    assert str(settings["endpoints"]["lockStore"]["key_prefix"]).isalnum()
    assert helm_values["rasa-action-server"]["install"] is True


# ----------------------------------------------------------------------------------------
# docker/nginx.conf: sticky sessions and websockets, then real nginx in front of real Rasa.
# ----------------------------------------------------------------------------------------

def nginx_binary() -> str:
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if exe is None:
        pytest.fail("nginx is not installed: run `make compose-tool` (or `apt-get install -y nginx-light`).")
    return exe


def test_nginx_is_sticky_and_passes_websocket_upgrades_to_every_replica(services):
    conf = (DOCKER / "nginx.conf").read_text()
    upstream = re.search(r"upstream rasa \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"^\s*(ip_hash|hash \$remote_addr consistent);", upstream, re.M), "no sticky sessions"
    assert sorted(re.findall(r"server (\S+):5005;", upstream)) == sorted(RASA_SERVICES)
    socketio = re.search(r"location /socket\.io/ \{(.*?)\}", conf, re.S).group(1)
    assert "proxy_pass http://rasa;" in socketio
    assert "proxy_http_version 1.1;" in socketio
    assert "proxy_set_header Upgrade $http_upgrade;" in socketio
    assert re.search(r"proxy_set_header Connection (\$connection_upgrade|\"upgrade\");", socketio, re.I)
    rest = re.search(r"location = /webhooks/rest/webhook \{(.*?)\n    \}", conf, re.S).group(1)
    assert "proxy_pass http://rasa;" in rest and re.search(r"limit_except POST \{\s*deny all;\s*\}", rest)
    assert re.findall(r"proxy_pass", conf) == ["proxy_pass"] * 2, "only socket.io and the REST webhook reach Rasa"
    nginx_dockerfile = (DOCKER / "nginx.Dockerfile").read_text()
    assert "COPY docker/nginx.conf /etc/nginx/conf.d/default.conf" in nginx_dockerfile
    assert re.search(r"^\s*listen 8080;", conf, re.M) and "/usr/share/nginx/html" in conf


def nginx_test_config(workdir: Path, listen_port: int, rasa_port: int) -> Path:
    """docker/nginx.conf with only its addresses changed: both replicas are the test's Rasa."""
    site = (DOCKER / "nginx.conf").read_text()
    for old, new in {
        "server rasa-1:5005;": f"server 127.0.0.1:{rasa_port};",
        "server rasa-2:5005;": f"server 127.0.0.1:{rasa_port};",
        "listen 8080;": f"listen 127.0.0.1:{listen_port};",
        "root /usr/share/nginx/html;": f"root {ROOT / 'web'};",
    }.items():
        assert old in site, f"docker/nginx.conf changed: update nginx_test_config ({old!r})"
        site = site.replace(old, new)
    (workdir / "site.conf").write_text(site)
    temp_paths = "\n".join(f"    {kind}_temp_path {workdir / kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # What the nginx image's own nginx.conf provides around conf.d/default.conf.
    main = workdir / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'};\n"
        + "events {}\nhttp {\n    include /etc/nginx/mime.types;\n    access_log off;\n"
        + f"{temp_paths}\n    include {workdir / 'site.conf'};\n}}\n"
    )
    (workdir / "error.log").touch()
    return main


def test_nginx_accepts_the_config(tmp_path):
    conf = nginx_test_config(tmp_path, 8080, 5005)
    checked = subprocess.run([nginx_binary(), "-t", "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


@pytest.fixture(scope="module")
def proxy(assistant, web_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx with docker/nginx.conf on the page origin the assistant accepts, in front of it."""
    workdir = tmp_path_factory.mktemp("nginx")
    conf = nginx_test_config(workdir, web_port, int(assistant.rsplit(":", 1)[1]))
    log = workdir / "error.log"
    process = subprocess.Popen([nginx_binary(), "-e", str(log), "-c", str(conf), "-g", "daemon off;"],
                               stdout=log.open("a"), stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{web_port}"
        wait_until_up(f"{url}/", process, log, timeout=30)
        yield url
    finally:
        stop(process)


def test_nginx_serves_the_widget_and_proxies_rest_to_rasa(proxy, domain):
    page = requests.get(f"{proxy}/", timeout=10)
    assert page.status_code == 200 and "footdrop-widget.js" in page.text
    # Behind the proxy the demo page talks to its own origin, not to :5005.
    assert 'data-server-url="same-origin"' in page.text and "localhost:5005" not in page.text
    for asset in ("widget/footdrop-widget.js", "widget/footdrop-widget.css", "widget/vendor/socket.io.min.js"):
        assert requests.get(f"{proxy}/{asset}", timeout=10).status_code == 200, asset
    answer = requests.post(f"{proxy}/webhooks/rest/webhook", timeout=60,
                           json={"sender": uuid.uuid4().hex, "message": "what is foot drop"})
    assert answer.status_code == 200
    *said, secret = answer.json()  # the conversation's secret comes last (footdrop_rasa/channels/ownership.py)
    assert [r.get("text") for r in said] == [domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]]
    assert set(secret) == {"recipient_id", "custom"} and set(secret["custom"]) == {"conversation_secret"}
    empty = requests.post(f"{proxy}/webhooks/rest/webhook", timeout=60, json={"sender": uuid.uuid4().hex, "message": ""})
    assert empty.status_code == 200 and empty.json() and empty.json()[0].get("text")
    # Only the widget's channel and the REST webhook go through: Rasa's other routes (its
    # version, the channels' health routes) are not published, and the webhook takes POST only.
    for path in ("/version", "/status", "/webhooks/rest/", "/webhooks/socketio/", "/webhooks/rest/webhook/x"):
        assert requests.get(f"{proxy}{path}", timeout=10).status_code == 404, path
    assert requests.get(f"{proxy}/webhooks/rest/webhook", timeout=10).status_code == 403


def test_nginx_sends_the_security_headers_and_nothing_but_the_widget(proxy):
    """The production layout's web edge (issue 16): the same policy as web/demo_server.py, with
    the chat on the page's own origin; no listing, and none of web/'s other files."""
    home = requests.get(f"{proxy}/", timeout=10)
    policy = home.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert home.headers["X-Content-Type-Options"] == "nosniff" and home.headers["Referrer-Policy"] == "no-referrer"
    assert requests.get(f"{proxy}/clinic.css", timeout=10).status_code == 200
    # root is web/ itself here: everything else in it is there to be refused
    for hidden in ("/widget/", "/widget/vendor/", "/node_modules/", "/package.json", "/README.md",
                   "/demo_server.py", "/install-vendor.sh"):
        answer = requests.get(f"{proxy}{hidden}", timeout=10)
        assert answer.status_code == 404 and "Index of" not in answer.text, hidden
        assert "Content-Security-Policy" in answer.headers, hidden
    reply = requests.post(f"{proxy}/webhooks/rest/webhook", json={"sender": "edge", "message": "hi"}, timeout=60)
    assert reply.status_code == 200 and reply.headers["X-Content-Type-Options"] == "nosniff"


def test_nginx_slows_then_refuses_a_flood_kindly_and_serves_again(proxy):
    """The production layout's abuse limits (issue 16): REST messages at 2 a second per address
    with bursts of 20, bodies over 64 kB refused, each with a kind JSON reply, then normal
    service. (Last of the proxy's tests: it empties this address's allowance.)"""
    url = f"{proxy}/webhooks/rest/webhook"
    too_long = requests.post(url, json={"sender": uuid.uuid4().hex, "message": "a" * 100_000}, timeout=30)
    assert too_long.status_code == 413 and "too long" in too_long.json()[0]["text"]
    statuses, refused = [], None
    for _ in range(40):
        answer = requests.post(url, json={"sender": uuid.uuid4().hex, "message": "hi"}, timeout=60)
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            refused = answer
    # the module's other requests used part of the burst: still, the first ten go through
    assert set(statuses) == {200, 429} and statuses[:10] == [200] * 10, statuses
    assert "faster than I can answer" in refused.json()[0]["text"]
    time.sleep(11)  # the allowance comes back at 2 a second
    again = requests.post(url, json={"sender": uuid.uuid4().hex, "message": "what is foot drop"}, timeout=60)
    assert again.status_code == 200 and "From:" in again.json()[0]["text"]


async def next_event(ws: aiohttp.ClientWebSocketResponse, name: str) -> object:
    """Reads socket.io packets until the event `name`, answering Engine.IO pings."""
    while True:
        packet = await ws.receive_str(timeout=30)
        if packet == "2":
            await ws.send_str("3")
        elif packet.startswith("42"):
            event, *data = json.loads(packet[2:])
            if event == name:
                return data[0] if data else None


async def test_a_socketio_conversation_over_a_websocket_through_nginx(proxy, domain):
    url = f"ws{proxy[len('http'):]}/socket.io/?EIO=4&transport=websocket"
    session_id = uuid.uuid4().hex
    async with aiohttp.ClientSession() as session:
        # The page origin passes through nginx to the channel's origin check.
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(url, headers={"Origin": "http://evil.example"})
        ws = await session.ws_connect(url, headers={"Origin": proxy})
        try:
            assert (await ws.receive_str(timeout=10)).startswith("0")  # Engine.IO "open"
            await ws.send_str("40")  # socket.io connect
            assert (await ws.receive_str(timeout=10)).startswith("40")
            await ws.send_str("42" + json.dumps(["session_request", {"session_id": session_id}]))
            await asyncio.wait_for(next_event(ws, "session_confirm"), 30)
            await ws.send_str("42" + json.dumps(["user_uttered", {"message": "what is foot drop", "session_id": session_id}]))
            reply = await asyncio.wait_for(next_event(ws, "bot_uttered"), 60)
        finally:
            await ws.close()
    assert reply["text"] == domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]
