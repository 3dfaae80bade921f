import ssl, sys
from thrift.protocol.TBinaryProtocol import TBinaryProtocol
from thrift.transport import TSSLSocket, TTransport
from parvis_management import ManagementApi
d = sys.argv[1] + "/management/"; user, password = [l.split("=", 1)[1].strip() for l in open(d + "admin.credential")]
host, port = open(d + "endpoint").read().strip().rsplit(":", 1)
transport = TTransport.TFramedTransport(TSSLSocket.TSSLSocket(host, int(port), cert_reqs=ssl.CERT_REQUIRED, ca_certs=d + "host-cert.pem"))
api = ManagementApi.Client(TBinaryProtocol(transport)); transport.open(); api.login(user, password)
for vm in api.query("SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'"):
    print(vm.properties["ElementName"].textValue, vm.properties["EnabledState"].intValue)
