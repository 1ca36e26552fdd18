/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the phy part calls beyond the tree's bindings crate: cable test
 * reporting (ethtool_netlink.h is not in rust/bindings/bindings_helper.h).
 */
#include <linux/ethtool_netlink.h>
