from . import controllers, decisions, models, wizards
