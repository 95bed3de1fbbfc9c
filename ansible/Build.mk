# ansible/: the compute-host playbook and the afxdp_host role.
#
#   make ansible-check   ansible-lint (production profile) and a syntax check
#
# The real runs (fake sysfs tree, private libvirtd) are
# tests/ansible/test_role.sh, part of `make test`.
.PHONY: ansible-check
ansible-check:
	ansible-lint --offline --profile production ansible/site.yml ansible/roles/afxdp_host
	cd ansible && ansible-playbook --syntax-check -i inventory/example.yml site.yml
