from . import test_bridge, test_rpc_matrix
