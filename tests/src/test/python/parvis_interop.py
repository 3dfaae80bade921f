"""Parvis management API from Python: stubs generated from the same IDL, Debian's python3-thrift.

Usage: parvis_interop.py HOST PORT CERT_PEM USER PASSWORD VM_NAME
Lists the VMs, starts VM_NAME (RequestStateChange 2), waits for its job, prints its state.
"""
import ssl
import sys
import time

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSSLSocket, TTransport

from parvis_management import ManagementApi
from parvis_management.ttypes import CimValue


def connect(host, port, cert, user, password):
    sock = TSSLSocket.TSSLSocket(host=host, port=port, cert_reqs=ssl.CERT_REQUIRED, ca_certs=cert)
    transport = TTransport.TFramedTransport(sock)
    client = ManagementApi.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    session = client.login(user, password)
    print("logged in as %s (%s) on %s" % (session.user, session.role, session.hostName))
    return client, transport


def main(host, port, cert, user, password, name):
    client, transport = connect(host, int(port), cert, user, password)
    vms = client.query("SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'")
    for vm in vms:
        print("vm %s state=%d" % (vm.properties["ElementName"].textValue, vm.properties["EnabledState"].intValue))
    target = next(vm for vm in vms if vm.properties["ElementName"].textValue == name)
    result = client.invokeMethod(target.path, "RequestStateChange", {"RequestedState": CimValue(intValue=2)})
    print("RequestStateChange returned %d job %s" % (result.returnValue, result.job))
    if result.returnValue == 4096:
        while True:
            job = client.getInstance(result.job)
            state = job.properties["JobState"].intValue
            if state >= 7:
                break
            time.sleep(0.05)
        print("job state=%d percent=%d" % (state, job.properties["PercentComplete"].intValue))
        if state != 7:
            print("job failed: %s" % job.properties["ErrorDescription"].textValue)
            return 1
    after = client.getInstance(target.path)
    print("%s state=%d" % (name, after.properties["EnabledState"].intValue))
    transport.close()
    return 0 if after.properties["EnabledState"].intValue == 2 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
