from . import (
    mail_activity,
    product,
    resource_calendar,
    sale_order,
    service_decided_mixin,
    service_warranty,
    service_warranty_card,
    service_warranty_exclusion,
    service_warranty_policy,
    service_warranty_register,
    stock_lot,
    stock_picking,
)
