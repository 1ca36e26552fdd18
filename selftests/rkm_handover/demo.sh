#!/bin/sh
# rkm_handover in the demo VM: store records and a blob, prepare the handover
# and show it as KHO will pass it to the next kernel. The kexec itself needs
# a boot of its own (make check runs it: boot-chain.conf).
ctl=$(dirname "$0")/../../build/kselftest/rkm_handover/handoverctl
dbg=/sys/kernel/debug/rkm_handover
area=/sys/kernel/debug/kho/out/sub_fdts/rkm_handover

"$ctl" put host.name demo-vm
"$ctl" put boot.count 1
"$ctl" put mtu 9000
head -c 3000000 /dev/urandom >/tmp/demo.blob
"$ctl" attach firmware.cache /tmp/demo.blob
echo "stored:"
"$ctl" list | sed 's/^/  /'
echo "blob sha256: $("$ctl" read firmware.cache | sha256sum | cut -d' ' -f1)" \
	"(file: $(sha256sum </tmp/demo.blob | cut -d' ' -f1))"
if "$ctl" prepare 2>/dev/null; then
	echo "prepared for kexec: $(wc -c <$area) bytes in /sys/kernel/debug/kho/out/sub_fdts/rkm_handover," \
		"magic $(head -c 8 $area), blob folios preserved in place"
else
	echo "not prepared: KHO is disabled (boot with kho=on)"
fi
echo "status:"
sed 's/^/  /' $dbg/status
rm -f /tmp/demo.blob
