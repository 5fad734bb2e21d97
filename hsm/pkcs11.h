// The one include point for the PKCS#11 v2.40 API (p11-kit's header, standard names).
#ifndef YINJIAN_HSM_PKCS11_H_
#define YINJIAN_HSM_PKCS11_H_

#include <p11-kit/pkcs11.h>

#endif  // YINJIAN_HSM_PKCS11_H_
