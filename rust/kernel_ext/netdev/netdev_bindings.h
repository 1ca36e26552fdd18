/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the netdev part calls beyond the tree's bindings crate: network
 * devices (netdevice.h is not in rust/bindings/bindings_helper.h), rtnl, and
 * its C shim. phylib and platform devices come from kernel::bindings.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include "netdev_shim.h"
