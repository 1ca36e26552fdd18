/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_PCI_SHIM_H
#define RKM_EXT_PCI_SHIM_H

/*
 * C shim of the pci part (rust/kernel_ext/pci/): static inlines of
 * <linux/pci.h> as plain functions. No logic: each calls exactly the C
 * function it is named after.
 */
#include <linux/types.h>

struct pci_dev;

struct pci_dev *pci_shim_upstream_bridge(struct pci_dev *dev);
struct pci_dev *pci_shim_find_root_port(struct pci_dev *dev);
bool pci_shim_is_pcie(struct pci_dev *dev);
bool pci_shim_dev_is_disconnected(const struct pci_dev *dev);

#endif
