"""gunicorn's settings for PressGate, read when gunicorn starts in this folder (`gunicorn wsgi:app`)."""

# gunicorn answers a request line over 4,094 bytes itself, with an HTML page the API's OpenAPI document
# cannot describe; at its maximum, a query that long reaches the API, which answers it in JSON.
limit_request_line = 8190
