// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi header as the C compiler sees it (rkm_handover_shim.h), so that
 * KUnit can check that the Rust side agrees with it.
 */
#include <linux/string.h>
#include "uapi/rkm_handover.h"
#include "rkm_handover_shim.h"

#define SIZE_OF(type) { #type, sizeof(struct type) }

static const struct {
	const char *name;
	size_t size;
} sizes[] = {
	SIZE_OF(rkm_handover_key),
	SIZE_OF(rkm_handover_record),
	SIZE_OF(rkm_handover_entry),
	SIZE_OF(rkm_handover_list),
	SIZE_OF(rkm_handover_blob),
	SIZE_OF(rkm_handover_status),
};

__rkm_shim size_t rkm_handover_uapi_size(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		if (!strcmp(sizes[i].name, name))
			return sizes[i].size;
	return 0;
}

__rkm_shim unsigned int rkm_handover_uapi_cmd(unsigned int nr)
{
	switch (nr) {
	case 0x01: return RKM_HANDOVER_IOC_PUT;
	case 0x02: return RKM_HANDOVER_IOC_GET;
	case 0x03: return RKM_HANDOVER_IOC_DELETE;
	case 0x04: return RKM_HANDOVER_IOC_LIST;
	case 0x05: return RKM_HANDOVER_IOC_ATTACH_BLOB;
	case 0x06: return RKM_HANDOVER_IOC_READ_BLOB;
	case 0x07: return RKM_HANDOVER_IOC_STATUS;
	case 0x08: return RKM_HANDOVER_IOC_PREPARE;
	default: return 0;
	}
}
