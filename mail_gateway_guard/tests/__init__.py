from . import test_fetchmail, test_gateway_protections, test_guarded_models
