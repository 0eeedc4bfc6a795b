# PulseGuard's deployment verbs. up/down/logs need a running Docker engine (docker compose);
# kind-* and k8s-* need kind, kubectl and a cluster. The machines PulseGuard is developed on have
# none of these (only the docker client), so there these verbs stop with a message. The offline
# checks (k8s-render, check-deploy) run anywhere kubectl and promtool are installed.
# Helm is not provided: Kustomize (deploy/k8s) is the one way to deploy to Kubernetes.

IMAGE        ?= pulseguard:dev
KIND_CLUSTER ?= pulseguard
OVERLAY      ?= dev
NAMESPACE    ?= pulseguard
WEB_PORT     ?= 8080
API_PORT     ?= 18080
COMPOSE      ?= docker compose

.PHONY: help build up down logs kind-up kind-load k8s-deploy k8s-status k8s-render \
        port-forward-webapp port-forward-api check-deploy need-docker need-kind need-cluster

help:
	@echo "Docker Compose:  make up | logs | down            (needs a Docker engine)"
	@echo "Image:           make build                       (docker build -t $(IMAGE) .)"
	@echo "kind:            make kind-up kind-load k8s-deploy k8s-status"
	@echo "                 make port-forward-webapp | port-forward-api"
	@echo "                 OVERLAY=dev|prod|multi-region (default dev)"
	@echo "Offline checks:  make k8s-render | check-deploy  (kubectl, promtool)"

need-docker:
	@docker info >/dev/null 2>&1 || { echo "make: this needs a running Docker engine; 'docker info' cannot reach one (the docker client alone is not enough)."; exit 1; }

need-kind: need-docker
	@command -v kind >/dev/null 2>&1 || { echo "make: this needs kind (https://kind.sigs.k8s.io) on PATH."; exit 1; }

need-cluster:
	@kubectl cluster-info >/dev/null 2>&1 || { echo "make: this needs kubectl pointed at a running cluster (make kind-up creates one)."; exit 1; }

build: need-docker
	docker build -t $(IMAGE) .

# --- Docker Compose ---------------------------------------------------------------------------

up: need-docker
	$(COMPOSE) up -d --build
	@echo "PulseGuard: http://localhost:8080  (API token: set PULSEGUARD_API_TOKEN in .env, or 'make logs' shows the generated one)"

down: need-docker
	$(COMPOSE) down

logs: need-docker
	$(COMPOSE) logs -f --tail=200

# --- Kubernetes on kind -----------------------------------------------------------------------

kind-up: need-kind
	kind get clusters | grep -qx '$(KIND_CLUSTER)' || kind create cluster --name $(KIND_CLUSTER) --wait 120s

kind-load: need-kind build
	kind load docker-image $(IMAGE) --name $(KIND_CLUSTER)

k8s-deploy: need-cluster
	kubectl apply -k deploy/k8s/overlays/$(OVERLAY)
	kubectl -n $(NAMESPACE) rollout status deploy --timeout=180s

k8s-status: need-cluster
	kubectl -n $(NAMESPACE) get deploy,statefulset,pod,svc,hpa,pdb,ingress -o wide

port-forward-webapp: need-cluster
	@echo "Dashboard: http://localhost:$(WEB_PORT)/  (served by the api role)"
	kubectl -n $(NAMESPACE) port-forward svc/pulseguard-api $(WEB_PORT):8080

port-forward-api: need-cluster
	@echo "API: http://localhost:$(API_PORT)/  (OpenAPI docs: http://localhost:$(API_PORT)/docs)"
	kubectl -n $(NAMESPACE) port-forward svc/pulseguard-api $(API_PORT):8080

# --- Offline checks (no Docker, no cluster) ---------------------------------------------------

k8s-render:
	kubectl kustomize deploy/k8s/overlays/$(OVERLAY)

check-deploy:
	node scripts/run-tests.mjs test/deploy
