/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_MDIO_SIM_SHIM_H
#define RKM_MDIO_SIM_SHIM_H

struct device;
struct ethtool_ops;
struct net_device;
struct net_device_ops;
struct sk_buff;

/*
 * struct net_device is opaque to Rust: its fields are set here. Also
 * SET_NETDEV_DEV() and eth_hw_addr_random() are a macro and a static inline.
 */
void rkm_mdio_sim_netdev_init(struct net_device *ndev, struct device *parent,
			      const struct net_device_ops *ops,
			      const struct ethtool_ops *ethtool_ops);
/* netdev_priv() and dev_kfree_skb_any() are static inlines. */
void *rkm_mdio_sim_netdev_priv(struct net_device *ndev);
void rkm_mdio_sim_drop_skb(struct sk_buff *skb);

#endif
