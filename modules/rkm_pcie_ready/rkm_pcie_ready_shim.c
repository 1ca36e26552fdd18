// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of rkm_pcie_ready: static inlines of <linux/pci.h> and the
 * sysfs_attr_init() macro, which Rust cannot call, as plain functions that the
 * generated bindings declare. No logic of its own.
 */
#include <linux/pci.h>
#include <linux/sysfs.h>
#include "rkm_pcie_ready_shim.h"

__rkm_shim struct pci_dev *rkm_pcie_ready_upstream_bridge(struct pci_dev *dev)
{
	return pci_upstream_bridge(dev);
}

__rkm_shim struct pci_dev *rkm_pcie_ready_root_port(struct pci_dev *dev)
{
	return pcie_find_root_port(dev);
}

__rkm_shim bool rkm_pcie_ready_is_pcie(struct pci_dev *dev)
{
	return pci_is_pcie(dev);
}

__rkm_shim bool rkm_pcie_ready_is_disconnected(struct pci_dev *dev)
{
	return pci_dev_is_disconnected(dev);
}

__rkm_shim void rkm_pcie_ready_attr_init(struct attribute *attr)
{
	/* One static key for every attribute initialized here. */
	sysfs_attr_init(attr);
}
