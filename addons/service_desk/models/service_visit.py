from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

# Written only by the visit's actions: its state, its stamps and the stock
# moves of the parts it used.
DECIDED_FIELDS = ("name", "state", "date_arrived", "date_finished", "signed_on", "move_ids")
REPORT_TEMPLATE = "service_desk.mail_template_service_visit_report"


class ServiceVisit(models.Model):
    """One engineer's visit on site for a service request: planned, arrived,
    finished; the work done, the parts used (real stock moves from the
    engineer's location, else the warehouse's stock, to the customer) and the
    customer's signature on the service report (服务单)."""

    _name = "service.visit"
    _description = "On-site Service Visit"
    _inherit = ["mail.thread", "mail.activity.mixin", "service.decided.mixin"]
    _order = "date_planned desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Service report number", required=True, readonly=True, copy=False, default="/")
    # service_maintenance adds its inspections; a service call always serves a request.
    visit_type = fields.Selection(
        [("service", "Service call")], string="Type", default="service", required=True, index=True,
    )
    request_id = fields.Many2one(
        "service.request", string="Service request", index=True, check_company=True, ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, precompute=True, readonly=False,
        required=True, index=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_from_request", store=True, precompute=True,
        readonly=False, index=True, check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, precompute=True,
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Unit", compute="_compute_from_request", store=True, precompute=True,
        readonly=False, check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Engineer", required=True, index=True, check_company=True, tracking=True,
        default=lambda self: self.env.user, domain="[('share', '=', False)]",
    )
    date_planned = fields.Datetime(string="Planned start", required=True, tracking=True)
    planned_hours = fields.Float(string="Planned duration (h)", default=2.0)
    date_planned_end = fields.Datetime(compute="_compute_date_planned_end", string="Planned end")
    state = fields.Selection(
        [("planned", "Planned"), ("in_progress", "On site"), ("done", "Done"), ("cancel", "Cancelled")],
        default="planned", required=True, tracking=True, index=True, copy=False,
    )
    date_arrived = fields.Datetime(string="Arrived on", readonly=True, copy=False)
    date_finished = fields.Datetime(string="Finished on", readonly=True, copy=False)
    arrival_deadline = fields.Datetime(related="request_id.arrival_deadline", string="Arrive on site by")
    arrival_in_time = fields.Boolean(
        compute="_compute_arrival_in_time", store=True, string="Arrived in time",
        help="Whether the engineer arrived before the request's on-site arrival deadline.",
    )
    work_done = fields.Text(string="Work done")
    part_ids = fields.One2many("service.visit.part", "visit_id", string="Parts used", copy=True)
    move_ids = fields.One2many(
        "stock.move", "service_visit_id", string="Stock moves", readonly=True,
        groups="stock.group_stock_user",
    )
    source_location_id = fields.Many2one(
        "stock.location", string="Parts from", check_company=True,
        compute="_compute_source_location_id", store=True, precompute=True, readonly=False,
        domain="[('usage', '=', 'internal')]",
        help="The engineer's van or the stock the parts are taken from (by default the engineer's "
        "service parts location); empty: the warehouse's stock.",
    )
    signature = fields.Image(string="Customer's signature", copy=False, attachment=True, max_width=1024,
                             max_height=1024)
    signed_by = fields.Char(copy=False)
    signed_on = fields.Datetime(readonly=True, copy=False)
    can_arrive = fields.Boolean(compute="_compute_can", string="Can record the arrival")
    can_finish = fields.Boolean(compute="_compute_can", string="Can finish")
    can_cancel = fields.Boolean(compute="_compute_can", string="Can cancel")
    can_sign = fields.Boolean(compute="_compute_can", string="Can be signed")
    can_send_report = fields.Boolean(compute="_compute_can", string="Can send the service report")

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "A service report number must be unique per company."
    )

    @api.depends("request_id")
    def _compute_company_id(self):
        for visit in self:
            if visit.request_id:
                visit.company_id = visit.request_id.company_id
            elif not visit.company_id:
                visit.company_id = self.env.company

    @api.depends("request_id")
    def _compute_from_request(self):
        for visit in self:
            if visit.request_id:
                visit.partner_id = visit.request_id.partner_id
                visit.lot_id = visit.request_id.lot_id

    @api.depends("user_id", "company_id")
    def _compute_source_location_id(self):
        """The engineer's own stock (``res.users.service_stock_location_id``)
        when it belongs to the visit's company."""
        for visit in self:
            location = visit.user_id.sudo().service_stock_location_id
            if location.company_id and location.company_id != visit.company_id:
                location = location.browse()
            visit.source_location_id = location

    @api.depends("date_planned", "planned_hours")
    def _compute_date_planned_end(self):
        for visit in self:
            visit.date_planned_end = visit.date_planned and visit.date_planned + timedelta(
                hours=visit.planned_hours or 0
            )

    @api.depends("date_arrived", "request_id.arrival_deadline")
    def _compute_arrival_in_time(self):
        for visit in self:
            deadline = visit.request_id.arrival_deadline
            arrived = visit.date_arrived
            visit.arrival_in_time = bool(arrived) and (not deadline or arrived <= deadline)

    @api.depends("state", "signed_on")
    def _compute_can(self):
        """The visit's state machine, written once: the buttons show what these
        say, and every action refuses what they refuse."""
        for visit in self:
            visit.can_arrive = visit.state == "planned"
            visit.can_finish = visit.state == "in_progress"
            visit.can_cancel = visit.state in ("planned", "in_progress")
            visit.can_sign = visit.state in ("in_progress", "done") and not visit.signed_on
            visit.can_send_report = visit.state == "done"

    @api.constrains("visit_type", "request_id")
    def _check_request(self):
        if self.filtered(lambda visit: visit.visit_type == "service" and not visit.request_id):
            raise ValidationError(self.env._(
                "A service call is made for a service request: choose the request."
            ))

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("service.visit") or "/"
        return super().create(vals_list)

    def _decided_fields(self):
        how = self.env._("Use the visit's buttons (arrived, finish, cancel).")
        hints = dict.fromkeys(DECIDED_FIELDS, how)
        if any(visit.state in ("done", "cancel") for visit in self):
            hints.update(dict.fromkeys(
                ("work_done", "part_ids", "user_id", "request_id", "partner_id", "lot_id",
                 "source_location_id"),
                self.env._("A finished visit's report is fixed: plan another visit."),
            ))
        if any(visit.signed_on or visit.state == "cancel" for visit in self):
            hints.update(dict.fromkeys(
                ("signature", "signed_by"),
                self.env._("The customer has signed this service report already."),
            ))
        return hints

    def _decided_create_fields(self):
        allowed = {name: None for name in DECIDED_FIELDS if name != "name"}
        allowed["state"] = ("planned",)
        return allowed

    def write(self, vals):
        if vals.get("signature") and "signed_on" not in vals:
            # The caller's fields are checked as always; the stamp is ours.
            self._check_decided(vals)
            with deciding():
                return super().write({**vals, "signed_on": fields.Datetime.now()})
        return super().write(vals)

    # -- lifecycle ------------------------------------------------------------


    def action_arrive(self):
        """The engineer is on site: the request's arrival clock stops with the
        first visit that arrives."""
        self._check_can("arrive", self.env._("Recording the arrival"))
        now = fields.Datetime.now()
        with deciding():
            self.write({"state": "in_progress", "date_arrived": now})
            for request in self.request_id.sudo():
                if not request.date_arrived:
                    request.write({
                        "date_arrived": now,
                        "date_responded": request.date_responded or now,
                        "state": "in_progress" if request.state in ("new", "waiting") else request.state,
                    })

    def action_finish(self):
        """The work is done: the parts used leave the stock for the customer
        (validated moves) and the report is ready to print."""
        self._check_can("finish", self.env._("Finishing"))
        missing = self.filtered(lambda visit: not (visit.work_done or "").strip())
        if missing:
            raise UserError(self.env._(
                "Say what was done on %(visits)s before finishing it.",
                visits=", ".join(missing.mapped("name")),
            ))
        moves = self.env["stock.move"].sudo().create([
            vals for visit in self for vals in visit._prepare_part_move_vals()
        ])
        if moves:
            moves._action_confirm(merge=False)
            moves._action_assign()
            for move in moves:
                part = move.service_visit_part_id
                if part.lot_id:
                    move.move_line_ids.unlink()
                    move.move_line_ids = [Command.create({
                        "product_id": move.product_id.id, "lot_id": part.lot_id.id,
                        "quantity": move.product_uom_qty, "product_uom_id": move.product_uom.id,
                        "location_id": move.location_id.id, "location_dest_id": move.location_dest_id.id,
                    })]
                elif move.quantity < move.product_uom_qty:
                    move.quantity = move.product_uom_qty
            moves.picked = True
            moves._action_done()
        with deciding():
            self.write({"state": "done", "date_finished": fields.Datetime.now()})

    def action_cancel(self):
        self._check_can("cancel", self.env._("Cancelling"))
        with deciding():
            self.write({"state": "cancel"})

    def _sign(self, name, signature):
        """The customer's signature, from the portal (``self`` found with the
        customer's access): once, on a visit under way or done."""
        self.ensure_one()
        if not self.can_sign:
            raise UserError(self.env._(
                "This service report cannot be signed (signed already, or not started)."
            ))
        self.sudo().write({"signed_by": name, "signature": signature})
        self.sudo().message_post(body=self.env._("Signed by %(name)s in the portal.", name=name))

    def _get_report_base_filename(self):
        """The PDF's name when the portal hands it out."""
        self.ensure_one()
        return self.env._("Service report %(name)s", name=self.name)

    def action_print_report(self):
        return self.env.ref("service_desk.action_report_service_visit").report_action(self)

    def action_send_report(self):
        """Odoo's mail composer with the "Service report" template: in the
        customer's language, the report attached, to the visit's customer;
        the e-mail sent is logged in the visit's chatter. Offered on finished
        visits, never sent on its own."""
        self._check_can("send_report", self.env._("Sending the service report"))
        return self._mail_composer_action(REPORT_TEMPLATE, self.env._("Send the service report"))

    # -- stock --------------------------------------------------------------

    def _get_warehouse(self):
        self.ensure_one()
        return self.env.user.with_company(self.company_id)._get_default_warehouse_id()

    def _prepare_part_move_vals(self):
        """One stock move per part used, from the engineer's location (else
        the warehouse's stock) to the customer, linked to the visit."""
        self.ensure_one()
        warehouse = self._get_warehouse()
        source = self.source_location_id or warehouse.lot_stock_id
        destination = (
            self.partner_id.property_stock_customer or self.env.ref("stock.stock_location_customers")
        )
        return [
            {
                "product_id": part.product_id.id,
                "product_uom_qty": part.quantity,
                "product_uom": part.product_id.uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "origin": self.name,
                "service_visit_id": self.id,
                "service_visit_part_id": part.id,
                "warehouse_id": warehouse.id,
            }
            for part in self.part_ids
        ]

    def _report_signature_label(self):
        self.ensure_one()
        return self.signed_by or self.partner_id.name or ""


class ServiceVisitPart(models.Model):
    _name = "service.visit.part"
    _description = "Part used on a visit"

    visit_id = fields.Many2one("service.visit", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="visit_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product", string="Part", required=True, check_company=True,
        domain="[('type', '=', 'consu')]",
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Serial / lot", check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(default=1.0, required=True, digits="Product Unit")

    def _check_visit_open(self, visits):
        if any(visit.state in ("done", "cancel") for visit in visits):
            raise UserError(self.env._("The parts of a finished or cancelled visit are fixed."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_visit_open(self.env["service.visit"].browse([vals.get("visit_id") for vals in vals_list]))
        return super().create(vals_list)

    def write(self, vals):
        self._check_visit_open(self.visit_id)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_finished(self):
        self._check_visit_open(self.visit_id)

    _quantity_positive = models.Constraint("CHECK (quantity > 0)", "A part's quantity must be positive.")
