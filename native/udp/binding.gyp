{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": [],
      "conditions": [
        ["OS=='linux'", {
          "sources": ["src/udp_batch.cc"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
          "defines": ["NAPI_VERSION=8"]
        }]
      ]
    }
  ]
}
