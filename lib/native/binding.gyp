# The course's optional native matrix multiply: one N-API addon over the machine's BLAS
# (OpenBLAS on Linux, Accelerate on macOS). Built by build.js at `npm install`; never required.
{
  "targets": [{
    "target_name": "ae_blas",
    "sources": ["src/blas.cc"],
    "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-ffp-contract=off"],
    "conditions": [
      ["OS=='mac'", {
        "defines": ["AE_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
        "libraries": ["-framework Accelerate"],
        "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"]}
      }, {
        "libraries": ["-lopenblas"]
      }]
    ]
  }]
}
