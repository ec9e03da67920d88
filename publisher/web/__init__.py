"""The review server (``publisher serve --review``): reviewers sign in and approve, in the browser,
exactly what goes out. :mod:`.app` is the web application, :mod:`.pages` what its pages show,
:mod:`.security` headers, cookies, tokens and limits, :mod:`.server` runs it on uvicorn."""
