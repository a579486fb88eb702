"""`RemoteMonitor`: posts each epoch's logs to an HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from lamina.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Streams epoch results to a server with an HTTP POST per epoch.

    The event `{"epoch": epoch, **logs}` is sent to `root + path`, either as a
    JSON body (`send_as_json=True`) or JSON-encoded inside the form field
    `field`. Uses only the standard library (Keras needs `requests`).

    Example:

    ```python
    monitor = RemoteMonitor(root="http://localhost:9000")
    model.fit(x, y, callbacks=[monitor])
    ```

    Args:
        root: Root URL of the target server.
        path: Path relative to `root` to which the events are sent.
        field: Form field holding the JSON data (when not sending as JSON).
        headers: Extra HTTP headers.
        send_as_json: Send the body as `application/json`.
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict[str, str] | None = None,
        send_as_json: bool = False,
    ) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            # numpy scalars are not JSON serializable.
            send[key] = (
                value.item() if isinstance(value, (np.ndarray, np.generic)) else value
            )
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(
            self.root + self.path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError):
            warnings.warn(
                f"Could not reach RemoteMonitor root server at {self.root}",
                stacklevel=2,
            )
