from . import repair_order, service_loaner, service_rma, stock_lot, stock_picking, stock_warehouse
