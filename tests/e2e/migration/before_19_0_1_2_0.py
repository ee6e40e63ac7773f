# Run in ``odoo shell`` on a database of service_rma 19.0.1.1.0 (the names
# before the rename): loans in each state, with chatter, and an RMA whose
# verdict an administrator overrode. Prints one JSON line: what must survive.
import json

from odoo import Command

env = globals()["env"]  # odoo shell's
env = env(context=dict(env.context, tracking_disable=False))
warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
policy = env["service.warranty.policy"].create({
    "name": "Migration policy", "warranty_months": 12, "start_on": "delivery",
    "post_warranty_mode": "at_cost",
    "exclusion_ids": [Command.set(env.ref("service_warranty.exclusion_misuse").ids)],
})
product = env["product.product"].create({
    "name": "Migration Camera", "is_storable": True, "tracking": "serial", "list_price": 300.0,
    "standard_price": 120.0, "warranty_policy_id": policy.id,
})
customer = env["res.partner"].create({"name": "Migration Clinic", "email": "it@migration.example.com"})
Quant = env["stock.quant"]


def make_lots(names, loaner=False):
    lots = env["stock.lot"].create([{"name": name, "product_id": product.id} for name in names])
    for lot in lots:
        Quant._update_available_quantity(product, warehouse.lot_stock_id, 1, lot_id=lot)
    lots.is_loaner = loaner
    return lots


def validate(picking):
    picking.action_assign()
    picking.move_ids.picked = True
    assert picking.button_validate() is True
    assert picking.state == "done", picking.state


make_lots(["MIG-01", "MIG-02", "MIG-03"])
order = env["sale.order"].create({
    "partner_id": customer.id,
    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
})
order.action_confirm()
validate(order.picking_ids)
pool = make_lots(["MIG-LOAN-1", "MIG-LOAN-2", "MIG-LOAN-3"], loaner=True)
Rma = env["service.rma"]
rmas = Rma.browse([Rma.scan(serial)["rma_id"] for serial in ("MIG-01", "MIG-02", "MIG-03")])
Loaner = env["service.loaner"]
to_hand_over = Loaner.create({"rma_id": rmas[0].id, "lot_id": pool[0].id})
with_customer = Loaner.create({"rma_id": rmas[1].id, "lot_id": pool[1].id})
validate(with_customer.picking_out_id)
with_customer.message_post(body="Customer asked to keep it one more week")
with_customer.message_subscribe(partner_ids=customer.ids)
returned = Loaner.create({"rma_id": rmas[2].id, "lot_id": pool[2].id})
validate(returned.picking_out_id)
returned.action_receive_back()
validate(returned.picking_back_id)
rmas[0].exclusion_ids = env.ref("service_warranty.exclusion_misuse")
rmas[0]._override_coverage("repair", "Goodwill: key account")
# Committed first: the tracking messages are written at commit time.
env.cr.commit()
loans = to_hand_over | with_customer | returned
print("STATE", json.dumps({
    "loans": [
        {"id": loan.id, "state": loan.state, "lot": loan.lot_id.name, "rma": loan.rma_id.id,
         "out": loan.picking_out_id.id, "back": loan.picking_back_id.id, "due": str(loan.date_due),
         "messages": sorted(loan.message_ids.ids), "followers": sorted(loan.message_partner_ids.ids)}
        for loan in loans
    ],
    "rmas": [
        {"id": rma.id, "remedy": rma.coverage, "override": rma.coverage_override, "covered": rma.covered,
         "policy_remedy": rma.verdict_remedy, "policy_covered": rma.verdict_covered,
         "reason": rma.verdict_reason_code, "loans": sorted(rma.loaner_ids.ids),
         "tracking": sorted(rma.message_ids.tracking_value_ids.ids)}
        for rma in rmas
    ],
}))
