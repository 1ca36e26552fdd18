/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_mdio_sim uses beyond the tree's bindings crate: network devices
 * (netdevice.h is not in rust/bindings/bindings_helper.h), rtnl, and the shim.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include "rkm_mdio_sim_shim.h"
