/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl ABI as the C compiler reads uapi/rkm_handover.h, for the KUnit
 * suite to compare with the Rust definitions (rust/handover_store): the sizes
 * of the structures and the commands, as enumerators, whose values the C
 * compiler computes and bindgen turns into Rust constants.
 */
#include "uapi/rkm_handover.h"

enum rkm_handover_uapi_size {
	RKM_HANDOVER_UAPI_SIZE_KEY = sizeof(struct rkm_handover_key),
	RKM_HANDOVER_UAPI_SIZE_RECORD = sizeof(struct rkm_handover_record),
	RKM_HANDOVER_UAPI_SIZE_ENTRY = sizeof(struct rkm_handover_entry),
	RKM_HANDOVER_UAPI_SIZE_LIST = sizeof(struct rkm_handover_list),
	RKM_HANDOVER_UAPI_SIZE_BLOB = sizeof(struct rkm_handover_blob),
	RKM_HANDOVER_UAPI_SIZE_STATUS = sizeof(struct rkm_handover_status),
};

enum rkm_handover_uapi_cmd {
	RKM_HANDOVER_UAPI_CMD_PUT = RKM_HANDOVER_IOC_PUT,
	RKM_HANDOVER_UAPI_CMD_GET = RKM_HANDOVER_IOC_GET,
	RKM_HANDOVER_UAPI_CMD_DELETE = RKM_HANDOVER_IOC_DELETE,
	RKM_HANDOVER_UAPI_CMD_LIST = RKM_HANDOVER_IOC_LIST,
	RKM_HANDOVER_UAPI_CMD_ATTACH_BLOB = RKM_HANDOVER_IOC_ATTACH_BLOB,
	RKM_HANDOVER_UAPI_CMD_READ_BLOB = RKM_HANDOVER_IOC_READ_BLOB,
	RKM_HANDOVER_UAPI_CMD_STATUS = RKM_HANDOVER_IOC_STATUS,
	RKM_HANDOVER_UAPI_CMD_PREPARE = RKM_HANDOVER_IOC_PREPARE,
};
