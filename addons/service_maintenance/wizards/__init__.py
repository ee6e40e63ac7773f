from . import service_contract_scan
