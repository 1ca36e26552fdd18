/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_PCIE_READY_SHIM_H
#define RKM_PCIE_READY_SHIM_H

#include <linux/types.h>

struct attribute;
struct pci_dev;

/* Static inlines of <linux/pci.h>, as functions. */
struct pci_dev *rkm_pcie_ready_upstream_bridge(struct pci_dev *dev);
struct pci_dev *rkm_pcie_ready_root_port(struct pci_dev *dev);
bool rkm_pcie_ready_is_pcie(struct pci_dev *dev);
bool rkm_pcie_ready_is_disconnected(struct pci_dev *dev);

/* sysfs_attr_init(), a macro that gives the attribute a static lockdep key. */
void rkm_pcie_ready_attr_init(struct attribute *attr);

#endif
