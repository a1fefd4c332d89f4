#!/usr/bin/python3
"""Serve the course's JupyterLab 4 front end (built into ./build by `npm run build`) with Debian's
jupyter_server 1.23 and jupyterlab_server 2.16, without the Python `jupyterlab` package.

    JUPYTER_PATH=/work/main/.jupyter AE_PROJECT_ROOT=/work/main \
      /usr/bin/python3 tools/lab/course_lab.py --no-browser --port=8888 \
      --ServerApp.token=TOKEN --ServerApp.root_dir=/work/main/notebooks [--allow-root]

The lab is at /lab; /lab/tree/<notebook>.ipynb opens a notebook. Kernels come from the usual Jupyter
paths (JUPYTER_PATH included). Usual server flags work (add --ServerApp.port_retries=0 to fail instead of
moving to another port when PORT is taken). User settings and workspaces are kept in build/; change with
--CourseLab.user_settings_dir=... and --CourseLab.workspaces_dir=...
"""
import json
import os
import sys

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.zmqhandlers import WebSocketMixin
from jupyterlab_server import LabServerApp
from tornado import web
from tornado.websocket import WebSocketHandler
from traitlets import Unicode

# Importing ipykernel (for the python3 kernel spec) loads debugpy, which prints a "frozen modules"
# warning to the server log; it does not matter here.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

with open(os.path.join(HERE, "package.json"), encoding="utf-8") as f:
    # Shown in Help > About: the JupyterLab release this front end is built from.
    VERSION = json.load(f)["dependencies"]["@jupyterlab/application"]


def _jupyter_server_extension_points():
    # Run as a script this module is __main__; jupyter_server loads the extension from it.
    return [{"module": __name__, "app": CourseLab}]


class IdentityHandler(APIHandler):
    """/api/me (jupyter_server >= 2): who the user is and what they may do. JupyterLab asks at start-up."""

    @web.authenticated
    def get(self):
        self.finish(
            json.dumps(
                {
                    "identity": {
                        "username": "student",
                        "name": "Student",
                        "display_name": "Student",
                        "initials": "S",
                        "color": None,
                        "avatar_url": None,
                    },
                    "permissions": {},
                }
            )
        )


class EventsHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """/api/events/subscribe (jupyter_server >= 2): JupyterLab listens here for server events. This
    server emits none, so the socket is accepted and stays silent (no 404, no reconnect loop)."""

    def set_default_headers(self):
        # JupyterHandler's headers do not apply to a websocket upgrade.
        pass

    async def get(self, *args, **kwargs):
        if self.get_current_user() is None:
            raise web.HTTPError(403)
        await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class EventsPostHandler(APIHandler):
    """POST /api/events (jupyter_server >= 2): accept and drop events emitted by the front end."""

    @web.authenticated
    def post(self):
        self.set_status(204)
        self.finish()


class ResolvePathHandler(APIHandler):
    """/api/resolvePath (jupyter_server >= 2): JupyterLab asks whether a path printed in an output (e.g. a
    file in a traceback) is a file it can link to. Answer for the server's root directory only; without
    this handler it probes /api/contents for every such path and logs 404s in the browser console."""

    @web.authenticated
    def get(self):
        path = self.get_query_argument("path")
        root = os.path.realpath(self.contents_manager.root_dir)
        candidate = os.path.expanduser(path)
        if not os.path.isabs(candidate):
            candidate = os.path.join(root, candidate)
        candidate = os.path.realpath(candidate)
        resolved = []
        if (candidate == root or candidate.startswith(root + os.sep)) and os.path.exists(candidate):
            relative = os.path.relpath(candidate, root).replace(os.sep, "/")
            resolved.append({"scope": "server", "path": "" if relative == "." else relative})
        self.finish(json.dumps({"resolved": resolved, "unresolved": []}))


def clean_page_config(handler, page_config):
    """jupyterlab_server 2.16 keeps one page-config dict for all requests; its not-found handler writes
    notFoundUrl (and every page its mode/treePath) into it, so after one unknown /lab/... URL every later
    page showed "Path Not Found". Give each request its own copy without notFoundUrl."""
    page_config = dict(page_config)
    page_config.pop("notFoundUrl", None)
    return page_config


class CourseLab(LabServerApp):
    name = "course_lab"
    app_name = "JupyterLab"
    app_version = VERSION
    extension_url = "/lab"
    default_url = "/lab"
    app_url = "/lab"
    load_other_extensions = False
    static_dir = BUILD
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    templates_dir = os.path.join(HERE, "templates")
    # Optional: settings/overrides.json (default settings) and settings/page_config.json.
    app_settings_dir = os.path.join(HERE, "settings")
    # Traits (not plain values) so that --CourseLab.user_settings_dir=... / workspaces_dir=... work.
    user_settings_dir = Unicode(os.path.join(BUILD, "user_settings"), help="Where user settings are saved.").tag(config=True)
    workspaces_dir = Unicode(os.path.join(BUILD, "workspaces"), help="Where workspaces are saved.").tag(config=True)

    def initialize_settings(self):
        super().initialize_settings()
        self.settings["page_config_hook"] = clean_page_config

    def initialize_handlers(self):
        if not os.path.exists(os.path.join(BUILD, "bundle.js")):
            self.log.error("%s/bundle.js is missing: run `npm install && npm run build` in %s", BUILD, HERE)
        super().initialize_handlers()
        # Extension handlers are mounted under the server's base_url. The lab's catch-all
        # (/lab/.*) is already in the list, but these paths do not overlap it.
        self.handlers[:0] = [
            (r"/api/me", IdentityHandler),
            (r"/api/resolvePath", ResolvePathHandler),
            (r"/api/events/subscribe", EventsHandler),
            (r"/api/events", EventsPostHandler),
        ]


if __name__ == "__main__":
    sys.exit(CourseLab.launch_instance())
