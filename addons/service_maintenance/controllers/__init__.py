from . import portal, portal_inspection
