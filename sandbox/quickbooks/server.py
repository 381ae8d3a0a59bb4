"""Running the sandbox on a background thread, on an ephemeral port, for tests."""

import threading

from werkzeug.serving import make_server


def serve_in_thread(app, host="127.0.0.1", port=0):
    """Serve `app` with a threaded werkzeug server; returns (base_url, stop)."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="qbo-sandbox", daemon=True
    )
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_port}", stop
