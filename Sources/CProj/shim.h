#ifndef OTKLIK_CPROJ_SHIM_H
#define OTKLIK_CPROJ_SHIM_H
#include <proj.h>
#include <geodesic.h>
#endif
