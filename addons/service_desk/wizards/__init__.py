from . import service_advance_replacement, service_request_hotline
