/* gw_flatmap.h - proxy.flatmap_filter (krakend-config-transform.md §6.1): KrakenD's flatmap tree
 * (krakend/flatmap v1.2.0) over a response's data, with its move, del and append operations
 * and their quirks (labels never renumbered, emptied objects become null, promotions that stop
 * where a path is missing). Pure logic, no IO. */
#ifndef GW_FLATMAP_H
#define GW_FLATMAP_H

#include "gw_config.h"
#include "gw_gojson.h"

#include <stdbool.h>
#include <stddef.h>

/* Most nodes a tree may hold while operations run (appends copy values). */
#define GW_FLATMAP_MAX_NODES 4000000

/* Runs fm's operations, in order, on *data (an object, or NULL: left alone) and replaces *data
 * with the result: an object, or NULL when the root no longer renders as one (every key
 * removed), as Lura's `Data, _ = tree.Get().(map[string]interface{})` does. Objects are read in
 * key order where Go iterates a map at random; a key renamed onto an existing sibling wins over
 * it. Returns false (and leaves *data as it was) on allocation failure or past
 * GW_FLATMAP_MAX_NODES. */
bool gw_flatmap_apply(const struct gw_flatmap *fm, struct gw_json **data);

#endif
