# wiseft on a GPU: Go, the PJRT CUDA plugin that GoMLX's XLA backend loads, Jupyter with the GoNB kernel, and
# this project built and set up as scripts/setup.sh does. The default command runs the main job.
#
#   docker build -t wiseft .
#   docker run --rm --gpus all -v "$PWD/out:/work/wiseft/out" wiseft           # the main job (scripts/main.sh)
#   docker run --rm --gpus all wiseft scripts/test.sh                          # every check
#   docker run --rm --gpus all -p 8888:8888 wiseft jupyter notebook --no-browser --allow-root --ip=0.0.0.0 \
#       --port=8888 --notebook-dir=/work/wiseft/notebooks                         # the notebooks (GoNB kernel)
#
# The build needs network (Debian, go.dev, PyPI, the Go module proxy). The NVIDIA driver comes from the host
# through the NVIDIA Container Toolkit (--gpus); the CUDA libraries come with the pip wheels, in the layout of
# ../shared/notes/gpu.md. Without a GPU the default command falls back to GoMLX's pure-Go backend.

# Debian 13: the project's Debian packages (fonts, Fashion-MNIST, Jupyter) and a Python recent enough for the
# JAX release whose CUDA plugin was measured with GoMLX v0.26 (gpu.md).
FROM debian:trixie

ARG GO_VERSION=1.26.8
# JAX_CUDA=cuda12 for hosts whose driver predates CUDA 13.
ARG JAX_VERSION=0.11.2
ARG JAX_CUDA=cuda13
ARG GONB_VERSION=v0.11.4
ARG GOIMPORTS_VERSION=v0.52.0

ENV DEBIAN_FRONTEND=noninteractive

# 1. Debian packages: build tools (cgo), Python for the plugin's wheels, Jupyter (headless execution and the
#    classic Notebook), and the packages of scripts/setup.sh (libjpeg-turbo) and scripts/setup-data.sh
#    (Fashion-MNIST, fonts).
RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates curl git build-essential python3 python3-venv libturbojpeg0-dev \
        jupyter-nbconvert python3-nbclient jupyter-client jupyter-notebook \
        dataset-fashion-mnist fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-freefont-ttf fonts-urw-base35 \
        fonts-dkg-handwriting fonts-breip fonts-bwht fonts-humor-sans \
    && rm -rf /var/lib/apt/lists/*
# The world's font list (datasets/fontlist.go) holds the SHA-256 of Debian 12's font files; Debian 13's packages
# may ship other versions of some (not checked here): render from them anyway. FontDigits, FontLetters and a
# re-run of `wiseft pretrain` may then differ slightly from the README's figures, as the GPU's arithmetic does.
ENV WISEFT_ANY_FONT_VERSION=1

# 2. Go.
RUN curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz
ENV GOPATH=/root/go
ENV PATH=/usr/local/go/bin:${GOPATH}/bin:${PATH}

# 3. The PJRT CUDA plugin from JAX's wheels. GoMLX finds a plugin only as pjrt_c_api_<name>_plugin.so in
#    $PJRT_PLUGIN_LIBRARY_PATH, and the plugin looks for the NVIDIA libraries relative to itself: /opt/pjrt/lib/xla
#    holds the link, /opt/pjrt/nvidia and /opt/pjrt/lib/nvidia point at the wheels' nvidia folder, and the dynamic
#    loader is told about the wheels' lib folders (instead of LD_LIBRARY_PATH).
RUN python3 -m venv /opt/jax \
    && /opt/jax/bin/pip install --no-cache-dir "jax[${JAX_CUDA}]==${JAX_VERSION}" \
    && site="$(/opt/jax/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    && plugin="$(find "$site/jax_plugins" -name 'xla_cuda_plugin.so' | head -n 1)" \
    && test -n "$plugin" \
    && mkdir -p /opt/pjrt/lib/xla \
    && ln -s "$plugin" /opt/pjrt/lib/xla/pjrt_c_api_cuda_plugin.so \
    && ln -s "$site/nvidia" /opt/pjrt/nvidia \
    && ln -s "$site/nvidia" /opt/pjrt/lib/nvidia \
    && ls -d "$site"/nvidia/*/lib > /etc/ld.so.conf.d/nvidia-wheels.conf \
    && ldconfig
ENV PJRT_PLUGIN_LIBRARY_PATH=/opt/pjrt/lib/xla \
    GOMLX_BACKEND=xla:cuda \
    GOPJRT_CUDA_CHECKS=0 \
    GOMLX_NO_AUTO_INSTALL=1

# 4. This project: Go modules first (a layer that survives source edits), then scripts/setup.sh: the Debian
#    packages (already there: it only checks), the modules, the data of the shipped world under data/, and
#    bin/wiseft.
WORKDIR /work/wiseft
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN bash scripts/setup.sh

# 5. GoNB, pinned, with goimports, registered with a go.work that uses this module (../shared/notes/gonb.md):
#    scripts/setup-notebooks.sh where the project has it, else the same steps here.
RUN if [ -f scripts/setup-notebooks.sh ]; then \
        WISEFT_NOTEBOOK_BROWSER=0 GONB_VERSION="${GONB_VERSION}" GOIMPORTS_VERSION="${GOIMPORTS_VERSION}" \
            bash scripts/setup-notebooks.sh; \
    else \
        scratch="$(mktemp -d)" && cd "$scratch" && go mod init gonb-install \
        && go get "github.com/janpfeifer/gonb@${GONB_VERSION}" && go install github.com/janpfeifer/gonb \
        && cd / && rm -rf "$scratch" \
        && go install "golang.org/x/tools/cmd/goimports@${GOIMPORTS_VERSION}" \
        && (gonb --install --force_deps --go_work=/work/wiseft || true) \
        && jupyter kernelspec list | grep -q gonb; \
    fi

EXPOSE 8888

# The main job; on a machine without a GPU (no --gpus), GoMLX's pure-Go backend instead of XLA CUDA.
CMD ["bash", "-c", "if [ ! -e /dev/nvidiactl ]; then echo 'no GPU: using the pure-Go backend' >&2; unset GOMLX_BACKEND; fi; exec bash scripts/main.sh"]
