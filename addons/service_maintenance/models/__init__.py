from . import service_advisory, service_advisory_notice, stock_lot
