// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of the netdev part (netdev_shim.h): fields of struct net_device, a
 * macro and static inlines, each wrapped in a function without logic.
 */
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include "netdev_shim.h"

__rkm_shim void rkm_netdev_init(struct net_device *ndev, struct device *parent,
				const struct net_device_ops *ops,
				const struct ethtool_ops *ethtool_ops)
{
	SET_NETDEV_DEV(ndev, parent);
	ndev->netdev_ops = ops;
	ndev->ethtool_ops = ethtool_ops;
	eth_hw_addr_random(ndev);
}

__rkm_shim void *rkm_netdev_priv(struct net_device *ndev)
{
	return netdev_priv(ndev);
}

__rkm_shim void rkm_netdev_drop_skb(struct sk_buff *skb)
{
	dev_kfree_skb_any(skb);
}

__rkm_shim void rkm_netdev_device_lock(struct device *dev)
{
	device_lock(dev);
}

__rkm_shim void rkm_netdev_device_unlock(struct device *dev)
{
	device_unlock(dev);
}
