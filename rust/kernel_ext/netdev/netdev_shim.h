/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_NETDEV_SHIM_H
#define RKM_EXT_NETDEV_SHIM_H

/*
 * C shim of the netdev part. struct net_device is opaque to Rust: its fields
 * are set here, with SET_NETDEV_DEV() (a macro) and eth_hw_addr_random() (a
 * static inline); netdev_priv(), dev_kfree_skb_any(), device_lock() and
 * device_unlock() are static inlines.
 * Nothing here decides anything; see mod.rs.
 */
struct device;
struct ethtool_ops;
struct net_device;
struct net_device_ops;
struct sk_buff;

void rkm_netdev_init(struct net_device *ndev, struct device *parent,
		     const struct net_device_ops *ops,
		     const struct ethtool_ops *ethtool_ops);
void *rkm_netdev_priv(struct net_device *ndev);
void rkm_netdev_drop_skb(struct sk_buff *skb);
void rkm_netdev_device_lock(struct device *dev);
void rkm_netdev_device_unlock(struct device *dev);

#endif
