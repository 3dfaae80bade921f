/* parvis/parvis.h - the whole guest SDK in one include. */
#ifndef PARVIS_SDK_PARVIS_H
#define PARVIS_SDK_PARVIS_H

#include <parvis/hvabi.h>
#include <parvis/boot.h>
#include <parvis/cpu.h>
#include <parvis/debug.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/synic.h>
#include <parvis/vp.h>

#endif
