"""Drive the app from outside, for tests and benchmarks alike.

* :mod:`harness.server`: start ``streamlit run`` on a free loopback port, find Chromium, wait until a
  page is idle (``python -m harness.server OUT_DIR [url-path ...]`` takes screenshots by hand).
* :mod:`harness.client`: one app session over Streamlit's own websocket protocol, without a browser
  (the classroom load benchmark and its test).

Neither imports the app; both are development tools (playwright and websockets come from
``requirements-dev.txt``).
"""
