# ansible/: the compute-host playbook and the afxdp_host role.
#
#   make ansible-check   ansible-lint (production profile), yamllint
#                        (.yamllint) and syntax checks
#
# The real runs are tests/ansible/test_role.sh (localhost: fake sysfs
# tree, private libvirtd) and tests/ansible/test_fleet.sh (fleet.yml over
# SSH against simulated hosts in network namespaces).
.PHONY: ansible-check
ansible-check:
	ansible-lint --offline --profile production ansible/site.yml ansible/fleet.yml ansible/roles/afxdp_host
	yamllint --strict -c .yamllint ansible .yamllint
	cd ansible && ansible-playbook --syntax-check -i inventory/example.yml site.yml fleet.yml
