from . import service_request_hotline
