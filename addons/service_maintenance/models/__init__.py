from . import service_advisory, service_advisory_notice, service_checklist, service_contract, stock_lot
