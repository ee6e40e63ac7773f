from . import device, portal, report
