from . import (
    product,
    sale_order,
    service_warranty,
    service_warranty_exclusion,
    service_warranty_policy,
    stock_lot,
    stock_picking,
)
