from . import service_rma_bill, service_rma_exchange, service_rma_override, service_rma_scan
