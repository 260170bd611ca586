from . import portal, register
