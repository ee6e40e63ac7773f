from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError

SECTIONS = [
    ("equipment", "Equipment status"),
    ("cabling", "Cabling"),
    ("functions", "System functions"),
    ("other", "Other"),
]
RESULTS = [("pass", "Pass"), ("fail", "Fail"), ("na", "Not applicable")]


class ServiceChecklistTemplate(models.Model):
    """Check items for the units of a product category (or of every category
    when none is set), grouped in the vendors' sections."""

    _name = "service.checklist.template"
    _description = "Inspection Checklist Template"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: shared by every company.")
    categ_ids = fields.Many2many(
        "product.category", string="Product categories",
        help="The units of these categories (and their subcategories) are checked with it; "
        "empty: every unit.",
    )
    item_ids = fields.One2many(
        "service.checklist.template.item", "template_id", string="Check items", copy=True
    )

    @api.model
    def _for_products(self, products):
        """``{product: templates}`` that apply to each product, in one search."""
        templates = self.search([("item_ids", "!=", False)])
        return {
            product: templates.filtered(
                lambda template, p=product: not template.categ_ids
                or p.categ_id.parent_path.startswith(tuple(template.categ_ids.mapped("parent_path")))
            )
            for product in products
        }


class ServiceChecklistTemplateItem(models.Model):
    _name = "service.checklist.template.item"
    _description = "Inspection Checklist Item"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one("service.checklist.template", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    section = fields.Selection(SECTIONS, required=True, default="equipment")
    name = fields.Char(string="Check", required=True, translate=True)
    expected = fields.Char(translate=True, help="What a pass looks like.")


class ServiceChecklist(models.Model):
    """The checks of one unit at one inspection: an item per check of the
    templates that apply to the unit's product, each pass, fail or not
    applicable with a note and an optional photo."""

    _name = "service.checklist"
    _description = "Inspection Checklist of a Unit"
    _inherit = ["mail.thread", "service.decided.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, string="Checklist")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    contract_id = fields.Many2one("service.contract", index="btree_not_null", check_company=True)
    visit_id = fields.Many2one(
        "service.visit", string="Inspection", index="btree_not_null", check_company=True, ondelete="cascade",
        domain="[('visit_type', '=', 'inspection')]",
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Unit", required=True, index=True, check_company=True,
        domain="[('product_id.tracking', '=', 'serial')]",
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_partner_id", store=True, readonly=False,
        check_company=True, precompute=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    user_id = fields.Many2one(
        "res.users", string="Engineer", default=lambda self: self.env.user, check_company=True,
        domain="[('share', '=', False)]",
    )
    customer_engineer = fields.Char(string="Customer's engineer", help="Who checked with us on site.")
    state = fields.Selection([("draft", "In progress"), ("done", "Done")], default="draft", required=True,
                             readonly=True, copy=False, tracking=True)
    result_ids = fields.One2many("service.checklist.result", "checklist_id", string="Results")
    fail_count = fields.Integer(compute="_compute_counts", string="Failed")
    open_count = fields.Integer(compute="_compute_counts", string="To check")
    can_done = fields.Boolean(compute="_compute_counts", string="Can finish")

    _visit_lot_unique = models.UniqueIndex(
        "(visit_id, lot_id) WHERE visit_id IS NOT NULL", "An inspection checks each unit on one checklist."
    )

    @api.depends("lot_id.name", "date")
    def _compute_name(self):
        for checklist in self:
            checklist.name = f"{checklist.lot_id.name or ''} {checklist.date or ''}".strip()

    @api.depends("lot_id", "contract_id")
    def _compute_partner_id(self):
        for checklist in self:
            checklist.partner_id = (
                checklist.contract_id.partner_id or checklist.lot_id.sudo().warranty_id.partner_id
                or checklist.partner_id
            )

    @api.depends("result_ids.result", "state")
    def _compute_counts(self):
        for checklist in self:
            results = checklist.result_ids
            checklist.fail_count = len(results.filtered(lambda r: r.result == "fail"))
            checklist.open_count = len(results.filtered(lambda r: not r.result))
            checklist.can_done = checklist.state == "draft" and bool(results) and not checklist.open_count

    def _decided_fields(self):
        return {"state": self.env._("Use 'Done' on the checklist.")}

    def _decided_create_fields(self):
        return {"state": ("draft",)}

    @api.model_create_multi
    def create(self, vals_list):
        checklists = super().create(vals_list)
        checklists.filtered(lambda c: not c.result_ids)._add_template_items()
        return checklists

    def _add_template_items(self):
        """One result line per item of the templates of each unit's product."""
        by_product = self.env["service.checklist.template"]._for_products(self.product_id)
        lines = []
        for checklist in self:
            for item in by_product.get(checklist.product_id, self.env["service.checklist.template"]).item_ids:
                lines.append(checklist._prepare_result_vals(item))
        self.env["service.checklist.result"].create(lines)

    def _prepare_result_vals(self, item):
        self.ensure_one()
        return {
            "checklist_id": self.id, "item_id": item.id, "sequence": item.sequence, "section": item.section,
            "name": item.name, "expected": item.expected,
        }

    def action_done(self):
        wrong = self.filtered(lambda checklist: not checklist.can_done)
        if wrong:
            raise UserError(self.env._(
                "Every item of %(checklists)s needs a result (pass, fail or not applicable) "
                "before it is done.",
                checklists=", ".join(wrong.mapped("name")),
            ))
        self.check_access("write")
        with deciding():
            self.write({"state": "done"})


class ServiceChecklistResult(models.Model):
    _name = "service.checklist.result"
    _description = "Inspection Checklist Result"
    _order = "checklist_id, sequence, id"

    checklist_id = fields.Many2one("service.checklist", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="checklist_id.company_id", store=True, index=True)
    item_id = fields.Many2one("service.checklist.template.item", ondelete="set null")
    sequence = fields.Integer(default=10)
    section = fields.Selection(SECTIONS, required=True, default="other")
    name = fields.Char(string="Check", required=True)
    expected = fields.Char()
    result = fields.Selection(RESULTS)
    note = fields.Text()
    photo = fields.Image(max_width=1920, max_height=1920)
    request_id = fields.Many2one(
        "service.request", string="Service request", readonly=True, index="btree_not_null"
    )
    can_open_request = fields.Boolean(compute="_compute_can_open_request", string="Can open a request")

    @api.depends("result", "request_id")
    def _compute_can_open_request(self):
        for line in self:
            line.can_open_request = line.result == "fail" and not line.request_id

    def write(self, vals):
        if any(line.checklist_id.state == "done" for line in self) and set(vals) - {"request_id"}:
            raise UserError(self.env._(
                "A done checklist is the inspection's record: its results no longer change."
            ))
        return super().write(vals)

    def action_open_request(self):
        """One click on a failed item: a service request for the unit, on
        site, with the item and its note; later clicks open that request."""
        self.ensure_one()
        if self.request_id:
            return self.request_id.get_formview_action()
        if not self.can_open_request:
            raise UserError(self.env._("Only a failed item opens a service request."))
        self.check_access("write")
        checklist = self.checklist_id
        # The engineer who found the fault opens the request, whether or not
        # they take calls at the desk: the request is made on their behalf.
        request = self.env["service.request"].sudo().create(self._prepare_request_vals())
        self.request_id = request
        request.message_post(body=self.env._(
            "Opened from the inspection checklist %(checklist)s by %(user)s.",
            checklist=checklist.name, user=self.env.user.name,
        ))
        return request.with_env(self.env).get_formview_action()

    def _prepare_request_vals(self):
        self.ensure_one()
        checklist = self.checklist_id
        return {
            "title": self.env._("Inspection: %(check)s failed", check=self.name),
            "lot_id": checklist.lot_id.id,
            "partner_id": checklist.partner_id.id,
            "company_id": checklist.company_id.id,
            "description": "\n".join(filter(None, [self.name, self.expected, self.note])),
            "support_mode": "on_site",
            "user_id": self.env.user.id,
        }

