# FindCMockaCompat: cmocka's own package configuration has changed over time.
# Old releases (Debian 12's 1.1.5) set only CMOCKA_INCLUDE_DIR/CMOCKA_LIBRARIES;
# newer ones export the target cmocka::cmocka.  Either way we end up with the
# imported target cmocka::cmocka.
find_package(cmocka CONFIG QUIET)
if(TARGET cmocka::cmocka)
  set(CMockaCompat_FOUND TRUE)
  return()
endif()

if(NOT CMOCKA_LIBRARIES)
  find_path(CMOCKA_INCLUDE_DIR NAMES cmocka.h)
  find_library(CMOCKA_LIBRARIES NAMES cmocka)
endif()
if(NOT CMOCKA_INCLUDE_DIR)
  find_path(CMOCKA_INCLUDE_DIR NAMES cmocka.h)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CMockaCompat
  REQUIRED_VARS CMOCKA_LIBRARIES CMOCKA_INCLUDE_DIR)

if(CMockaCompat_FOUND AND NOT TARGET cmocka::cmocka)
  list(GET CMOCKA_LIBRARIES 0 _cmocka_lib)
  add_library(cmocka::cmocka UNKNOWN IMPORTED)
  set_target_properties(cmocka::cmocka PROPERTIES
    IMPORTED_LOCATION "${_cmocka_lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${CMOCKA_INCLUDE_DIR}")
endif()
