"""The Python peer of echo-floor in `make bench-cold`: AWS's Python runtime interface
client (awslambdaric, pinned in requirements.txt) answering each event with itself,
as `python -m awslambdaric python_echo.handler`."""


def handler(event, context):
    return event
