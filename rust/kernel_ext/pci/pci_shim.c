// SPDX-License-Identifier: GPL-2.0
/* See pci_shim.h. */
#include <linux/pci.h>
#include "pci_shim.h"

__rkm_shim struct pci_dev *pci_shim_upstream_bridge(struct pci_dev *dev)
{
	return pci_upstream_bridge(dev);
}

__rkm_shim struct pci_dev *pci_shim_find_root_port(struct pci_dev *dev)
{
	return pcie_find_root_port(dev);
}

__rkm_shim bool pci_shim_is_pcie(struct pci_dev *dev)
{
	return pci_is_pcie(dev);
}

__rkm_shim bool pci_shim_dev_is_disconnected(const struct pci_dev *dev)
{
	return pci_dev_is_disconnected(dev);
}
