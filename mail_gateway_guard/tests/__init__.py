from . import test_gateway_protections, test_guarded_models
